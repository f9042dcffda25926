// libpg-query's Emscripten glue (wasm/libpg-query.js) ships without types;
// pg-parser.ts says which of its exports it uses.
declare module "libpg-query/wasm/libpg-query.js" {
  const createModule: (options: {
    instantiateWasm(imports: Bun.WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void): object;
  }) => Promise<unknown>;
  export default createModule;
}
