// Entry of the import's preparation thread: the server runs TypeScript through tsx, which a worker
// thread does not inherit when started from a test runner, so it registers it itself.
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
