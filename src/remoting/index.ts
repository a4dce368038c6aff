export * from './config.js';
export type {
  RemotingChannel, ChannelEventListener, RequestContext, RequestProcessor,
} from './remoting-channel.js';
export { RemotingServer, type RemotingServerDeps, type CloseOptions, type StartOptions } from './remoting-server.js';
export { RemotingClient, parseAddress, type RemotingClientDeps } from './remoting-client.js';
