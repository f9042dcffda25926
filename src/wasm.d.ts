// Bun imports a file `with { type: "file" }` as its path (embedded in the compiled binary).
declare module "*.wasm" {
  const path: string;
  export default path;
}
