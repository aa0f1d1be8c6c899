/** wrangler.toml bundles `.yaml` files as text modules. */
declare module '*.yaml' {
  const text: string;
  export default text;
}
