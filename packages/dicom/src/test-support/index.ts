/**
 * Test data for the DICOM core and its users (server tests): element builders, a separate encoder,
 * synthetic image objects and stream helpers. Isomorphic like the rest of the package; the Node-only
 * helpers (pydicom and DCMTK peers) are in `./node.ts`. Not part of the package build.
 */
export * from './elements.js';
export * from './encode.js';
export * from './rle.js';
export * from './synthetic-image.js';
export * from './chunks.js';
export * from './snapshot.js';
export * from './json-key-order.js';
