// What a failed TLS connection means, in the words of the drivers' one-sentence
// connect errors (rediss://, postgres://…?sslmode=require). Node.js and Bun name
// certificate failures by OpenSSL's codes.

const UNTRUSTED =
  /SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/;

/** The reason and what to do, when `text` (an error's code and message) is a TLS failure. */
export function tlsReason(text: string): string | undefined {
  if (UNTRUSTED.test(text))
    return "its TLS certificate is not signed by a CA this machine trusts: point NODE_EXTRA_CA_CERTS at the CA's PEM file (NODE_EXTRA_CA_CERTS=ca.pem stairway …)";
  if (/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/.test(text)) return "its TLS certificate has expired or is not valid yet";
  if (/ERR_TLS_CERT_ALTNAME_INVALID/.test(text))
    return "its TLS certificate does not name this host: connect by a name the certificate lists";
  return undefined;
}
