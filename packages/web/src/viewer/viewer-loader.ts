// Part of the app's entry: everything else of the viewer (Cornerstone3D, its image loader and codecs, its
// tools; most of the app's code) is a chunk of its own, loaded when a study is opened or about to be.
import { onDemand } from '../on-demand';

const viewer = onDemand(() => import('./viewer-page'));

/** The viewer page (`/viewer?StudyInstanceUIDs=…`), to render under a `LazyPage`. */
export const ViewerPage = viewer.component((module) => module.ViewerPage);

/**
 * The user is about to open a study (points at it, focuses it, follows a link to it): fetch the viewer
 * now and start its engine when the browser is idle, so the study opens at once.
 */
export function prefetchViewer(): void {
  viewer
    .load()
    .then((module) => {
      const idle = window.requestIdleCallback ?? ((run: () => void) => window.setTimeout(run, 50));
      idle(() => void module.startCornerstone().catch(() => undefined));
    })
    .catch(() => undefined);
}
