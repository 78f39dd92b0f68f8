import { randomBytes } from 'node:crypto';

// RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

/**
 * A fresh random boundary for a `multipart/related` response: 32 characters of base64url (192 random
 * bits, so it occurs in no body by chance), all of them RFC 2046 bchars and tokens (no quoting needed).
 */
export function createBoundary(): string {
  return randomBytes(24).toString('base64url');
}

/** True when `boundary` is a valid RFC 2046 §5.1.1 boundary: 1 to 70 bchars, not ending in a space. */
export function isValidBoundary(boundary: string): boolean {
  return BOUNDARY.test(boundary);
}
