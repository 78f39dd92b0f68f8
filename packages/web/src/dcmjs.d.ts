// dcmjs ships no type declarations; the web app uses this much of it (SR and KOS encoding).
declare module 'dcmjs' {
  /** A dataset with attributes named by keyword (dcmjs's "naturalized" form). */
  export type NaturalizedDataset = Record<string, unknown>;
  export const data: {
    DicomMetaDictionary: {
      naturalizeDataset(dataset: unknown): NaturalizedDataset;
      denaturalizeDataset(dataset: NaturalizedDataset): Record<string, unknown>;
      uid(): string;
      date(): string;
      time(): string;
    };
    DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
    datasetToDict(dataset: NaturalizedDataset): { write(): ArrayBuffer };
  };
  const dcmjs: { data: typeof data };
  export default dcmjs;
}
