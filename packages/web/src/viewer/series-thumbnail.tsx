import { useState } from 'react';
import { seriesThumbnailUrl } from '../dicomweb/archive-client';

/**
 * A series' thumbnail as the archive renders it, or its modality when the archive has none to give (a
 * video, or an image it cannot decode): a label rather than a broken image.
 */
export function SeriesThumbnail({
  studyUid,
  seriesUid,
  modality,
  size = 64,
}: {
  studyUid: string;
  seriesUid: string;
  modality: string;
  /** Width and height in CSS pixels. */
  size?: number;
}) {
  const [failed, setFailed] = useState(false);
  if (failed) return <span className="document-icon">{modality}</span>;
  return (
    <img
      src={seriesThumbnailUrl(studyUid, seriesUid)}
      alt=""
      loading="lazy"
      width={size}
      height={size}
      onError={() => setFailed(true)}
    />
  );
}
