/**
 * The structure check (`npm run check:structure`): the arrows between the parts of src/ point one
 * way. Type-only imports count (tsPreCompilationDeps), because a cycle of types is still a cycle
 * for whoever reads or moves the code.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle in src/: move the shared part into a module both sides import.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'activities-not-from-workflows',
      severity: 'error',
      comment:
        'Activities run on the host; workflows import them (as types), never the other way round. ' +
        'Move what both need into src/contracts or src/plan.',
      from: { path: '^src/activities/' },
      to: { path: '^src/workflows/' },
    },
    {
      name: 'git-is-plumbing',
      severity: 'error',
      comment:
        'src/git runs git on the host for the activities and the client; it knows nothing of them, ' +
        'of the workflow or of the worker. Shared shapes belong in src/contracts.',
      from: { path: '^src/git/' },
      to: { path: '^src/(activities|workflows|client|worker)/' },
    },
    {
      name: 'workflows-never-run-git',
      severity: 'error',
      comment: 'git is I/O: the workflow keeps SHAs and asks activities to run git.',
      from: { path: '^src/(workflows|plan)/' },
      to: { path: '^src/git/' },
    },
    {
      name: 'client-not-from-worker',
      severity: 'error',
      comment:
        'The client takes connection settings from src/contracts, not src/worker. Only the modules ' +
        'that start a worker may import it: commands/worker, commands/dev and connection/local-temporal ' +
        '(the embedded server and worker of `run --embedded` and `demo`).',
      from: {
        path: '^src/client/',
        pathNot: '^src/client/(commands/worker|commands/dev|connection/local-temporal)[.]ts$',
      },
      to: { path: '^src/worker/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
