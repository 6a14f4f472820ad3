// The diffusion worker thread's entry: registers tsx's loader (this thread does not inherit the
// parent's) and runs the TypeScript worker. onnxruntime-node loads here, never on the engine's thread.
import { register } from 'tsx/esm/api';

register();
await import("./diffusion-worker.ts");
