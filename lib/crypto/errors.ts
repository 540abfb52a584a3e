/** The crypto module's error, apart from node-jose, so that code which only reports it loads no JOSE library. */

/**
 * A key or token refused, saying why in terms of our files and commands: never the key or the plaintext.
 * The JOSE library's own error is kept as `cause`; a key file that does not parse keeps none, since
 * JSON.parse quotes the text it read.
 *
 * @example try { await ring.decrypt(token); } catch (err) { if (err instanceof CryptoError) console.error(err.message, err.cause); }
 */
export class CryptoError extends Error {
  override name = 'CryptoError';
}
