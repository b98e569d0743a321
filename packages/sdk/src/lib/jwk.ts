// The key import is part of the shared token core; this path stays for the SDK's key-set code.
export { importVerificationKey, type VerificationKey } from '@latchkey/protocol/jwt';
