/** Layer rules of ../shared/docs/design.md: arrows point one way. */
const layer = (name) => `^src/${name}/`;
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'common-imports-nothing', severity: 'error', from: { path: layer('common') }, to: { path: '^src/(?!common/)' } },
    { name: 'protocol-only-common', severity: 'error', from: { path: layer('protocol') }, to: { path: '^src/(?!common/|protocol/)' } },
    { name: 'protocol-no-io', severity: 'error', from: { path: layer('protocol') }, to: { path: '^(node:)?(net|fs|fs/promises)$', dependencyTypes: ['core'] } },
    { name: 'remoting-deps', severity: 'error', from: { path: layer('remoting') }, to: { path: '^src/(?!common/|protocol/|remoting/)' } },
    { name: 'store-only-common', severity: 'error', from: { path: layer('store') }, to: { path: '^src/(?!common/|store/)' } },
    { name: 'namesrv-deps', severity: 'error', from: { path: layer('namesrv') }, to: { path: '^src/(?!common/|protocol/|remoting/|namesrv/)' } },
    { name: 'broker-deps', severity: 'error', from: { path: layer('broker') }, to: { path: '^src/(?!common/|protocol/|remoting/|store/|broker/)' } },
    { name: 'client-no-server', severity: 'error', from: { path: layer('client') }, to: { path: '^src/(?!common/|protocol/|remoting/|client/)' } },
    { name: 'cli-deps', severity: 'error', from: { path: layer('cli') }, to: { path: '^src/(?!common/|client/|cli/)' } },
    { name: 'nothing-imports-bench-bin', severity: 'error', from: { pathNot: '^src/(bench|bin)/' }, to: { path: '^src/(bench|bin)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
