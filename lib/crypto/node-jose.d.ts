// node-jose's community types are wrong in places; lib/crypto/jose.ts declares the part we use.
declare module 'node-jose' {
  const jose: unknown;
  export default jose;
}
