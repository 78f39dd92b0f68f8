import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import { isImageSeries, isVolume, seriesFrames } from './series-stack';

function instance(uid: string, number: number, z?: number, frames?: number): DicomJson {
  return {
    [JsonTag.SOPInstanceUID]: { vr: 'UI', Value: [uid] },
    [JsonTag.InstanceNumber]: { vr: 'IS', Value: [number] },
    [JsonTag.Rows]: { vr: 'US', Value: [2] },
    [JsonTag.Columns]: { vr: 'US', Value: [2] },
    ...(z !== undefined
      ? {
          [JsonTag.ImagePositionPatient]: { vr: 'DS', Value: [0, 0, z] },
          [JsonTag.ImageOrientationPatient]: { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
        }
      : {}),
    ...(frames !== undefined ? { [JsonTag.NumberOfFrames]: { vr: 'IS', Value: [frames] } } : {}),
  };
}

describe('seriesFrames', () => {
  it('orders one plane by position along its normal, head first, whatever the instance numbers say', () => {
    const frames = seriesFrames('/dicomweb', 's', 'se', [
      instance('a', 1, -5),
      instance('b', 3, 5),
      instance('c', 2, 0),
    ]);
    expect(frames.map((f) => f.sopInstanceUid)).toEqual(['b', 'c', 'a']);
    expect(frames[0]?.imageId).toBe('wadors:/dicomweb/studies/s/series/se/instances/b/frames/1');
  });
  it('orders by instance number without geometry, one entry per frame', () => {
    const frames = seriesFrames('/dicomweb', 's', 'se', [instance('b', 2, undefined, 2), instance('a', 1)]);
    expect(frames.map((f) => `${f.sopInstanceUid}/${f.frame}`)).toEqual(['a/1', 'b/1', 'b/2']);
  });
  it('tells image series from SR and other documents', () => {
    expect(isImageSeries([instance('a', 1)])).toBe(true);
    expect(isImageSeries([{ [JsonTag.SOPInstanceUID]: { vr: 'UI', Value: ['x'] } }])).toBe(false);
  });
  it('does not take a video (one MPEG-4 or HEVC stream) for frames a stack can show', () => {
    const video = (syntax: string) => ({
      ...instance('v', 1),
      '00083002': { vr: 'UI', Value: [syntax] },
    });
    expect(isImageSeries([video('1.2.840.10008.1.2.4.102')])).toBe(false);
    expect(isImageSeries([video('1.2.840.10008.1.2.4.107')])).toBe(false);
    expect(isImageSeries([video('1.2.840.10008.1.2.4.100.1')])).toBe(false);
    expect(isImageSeries([video('1.2.840.10008.1.2.4.50')])).toBe(true);
  });

  it('tells a volume (parallel slices at distinct positions) from other stacks', () => {
    const slices = [instance('a', 1, 0), instance('b', 2, 2), instance('c', 3, 4)];
    expect(isVolume(seriesFrames('/d', 's', 'se', slices))).toBe(true);
    expect(isVolume(seriesFrames('/d', 's', 'se', slices.slice(0, 2)))).toBe(false);
    expect(isVolume(seriesFrames('/d', 's', 'se', [...slices.slice(0, 2), instance('c', 3, 2)]))).toBe(false);
    expect(isVolume(seriesFrames('/d', 's', 'se', [instance('m', 1, undefined, 5)]))).toBe(false);
  });
});
