// The gzipped run-time files of PGlite (scripts/pglite-assets.ts), imported `with { type: "file" }`: their paths.
declare module "*.gz" {
  const path: string;
  export default path;
}
