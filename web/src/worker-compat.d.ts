// The dashboard type-checks the worker's route types (for the typed client) under the
// DOM lib, which lacks this Workers-only WebCrypto extension.
interface SubtleCrypto {
  timingSafeEqual(a: ArrayBuffer | ArrayBufferView, b: ArrayBuffer | ArrayBufferView): boolean;
}
