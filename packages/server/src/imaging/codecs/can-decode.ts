/** How the frames of a transfer syntax are decoded. */
export type CodecFamily = 'jpeg' | 'jpeg-ls' | 'j2k' | 'htj2k' | 'rle' | 'deflate' | 'native';

/** The transfer syntaxes whose frames can be decoded here, by the decoder family that handles them. */
export const DecodableTransferSyntax = {
  /** JPEG Baseline (Process 1), 8-bit lossy (PS3.5 §8.2.1). */
  '1.2.840.10008.1.2.4.50': 'jpeg',
  /** JPEG Extended (Process 2 & 4), 8- and 12-bit lossy. */
  '1.2.840.10008.1.2.4.51': 'jpeg',
  /** JPEG Lossless, Non-Hierarchical (Process 14), any predictor. */
  '1.2.840.10008.1.2.4.57': 'jpeg',
  /** JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1]). */
  '1.2.840.10008.1.2.4.70': 'jpeg',
  /** JPEG-LS Lossless (PS3.5 §8.2.3). */
  '1.2.840.10008.1.2.4.80': 'jpeg-ls',
  /** JPEG-LS Lossy (Near-Lossless). */
  '1.2.840.10008.1.2.4.81': 'jpeg-ls',
  /** JPEG 2000 Lossless Only (PS3.5 §8.2.4). */
  '1.2.840.10008.1.2.4.90': 'j2k',
  /** JPEG 2000 (lossless or lossy). */
  '1.2.840.10008.1.2.4.91': 'j2k',
  /** High-Throughput JPEG 2000 Lossless Only. */
  '1.2.840.10008.1.2.4.201': 'htj2k',
  /** High-Throughput JPEG 2000 with RPCL Options Lossless Only. */
  '1.2.840.10008.1.2.4.202': 'htj2k',
  /** High-Throughput JPEG 2000 (lossless or lossy). */
  '1.2.840.10008.1.2.4.203': 'htj2k',
  /** RLE Lossless (PS3.5 §8.2.2, Annex G). */
  '1.2.840.10008.1.2.5': 'rle',
  /** Deflated Image Frame Compression (PS3.5 §8.2.16, §A.4.13): each frame deflated (RFC 1951). */
  '1.2.840.10008.1.2.8.1': 'deflate',
  /** Encapsulated Uncompressed Explicit VR Little Endian: each frame's fragments hold native pixels. */
  '1.2.840.10008.1.2.1.98': 'native',
} as const satisfies Record<string, CodecFamily>;

const families: ReadonlyMap<string, CodecFamily> = new Map(Object.entries(DecodableTransferSyntax));

/** The decoder family for a transfer syntax, or undefined when its frames cannot be decoded here. */
export function codecFamily(transferSyntaxUid: string): CodecFamily | undefined {
  return families.get(transferSyntaxUid.trim());
}

/** True when frames of this transfer syntax can be decoded here. */
export function canDecode(transferSyntaxUid: string): boolean {
  return codecFamily(transferSyntaxUid) !== undefined;
}
