/**
 * What the remoting client and server share: a component logger, the
 * optional channel event listener, and the table of request processors
 * (requests the peer initiates go to the processor registered for their code).
 */
import type { Logger } from '../common/index.js';
import type { ChannelEventListener, RequestProcessor } from './remoting-channel.js';
import { ProcessorTable } from './processor-table.js';

export interface RemotingEndpointDeps {
  readonly logger: Logger;
  readonly channelEventListener?: ChannelEventListener;
}

export abstract class RemotingEndpoint {
  protected readonly logger: Logger;
  protected readonly listener: ChannelEventListener | undefined;
  protected readonly processors: ProcessorTable;

  protected constructor(component: string, deps: RemotingEndpointDeps) {
    this.logger = deps.logger.child({ component });
    this.listener = deps.channelEventListener;
    this.processors = new ProcessorTable(this.logger);
  }

  /** Handler for requests with this code. */
  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.register(code, processor);
  }

  /** Handler for requests no registered processor takes. */
  registerDefaultProcessor(processor: RequestProcessor): void {
    this.processors.setDefault(processor);
  }
}
