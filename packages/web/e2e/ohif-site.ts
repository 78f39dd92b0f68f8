import { createServer, request, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Where scripts/provide-test-peers.sh unpacks OHIF's prebuilt app. */
export const OHIF_DIST = path.resolve(
  import.meta.dirname,
  '../../../node_modules/.cache/lightbox-test-peers/ohif-app-3.13.2/dist',
);

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** OHIF's data source: Lightbox's DICOMweb on the same origin, with the features it has. */
const APP_CONFIG = `window.config = {
  routerBasename: null,
  extensions: [],
  modes: [],
  customizationService: {},
  showStudyList: true,
  maxNumberOfWebWorkers: 2,
  showWarningMessageForCrossOrigin: false,
  showCPUFallbackMessage: false,
  showLoadingIndicator: true,
  investigationalUseDialog: { option: 'never' },
  defaultDataSourceName: 'lightbox',
  dataSources: [{
    namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
    sourceName: 'lightbox',
    configuration: {
      friendlyName: 'Lightbox',
      name: 'lightbox',
      wadoUriRoot: '/wado',
      qidoRoot: '/dicomweb',
      wadoRoot: '/dicomweb',
      qidoSupportsIncludeField: true,
      supportsReject: false,
      imageRendering: 'wadors',
      thumbnailRendering: 'wadors',
      enableStudyLazyLoad: true,
      supportsFuzzyMatching: true,
      supportsWildcard: true,
      bulkDataURI: { enabled: true },
      dicomUploadEnabled: true,
    },
  }],
};
`;

/** A DICOMweb request OHIF made, as Lightbox answered it. */
export interface ProxiedRequest {
  method: string;
  url: string;
  accept: string;
  status: number;
}

/** OHIF served as a hospital would deploy it: its own site, with DICOMweb passed to Lightbox behind it. */
export interface OhifSite {
  url: string;
  /** Every DICOMweb and WADO-URI request passed to Lightbox so far. */
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * Serves OHIF's prebuilt app and passes `/dicomweb` and `/wado` to Lightbox, adding the credentials, as
 * a reverse proxy in front of a viewer would (the Host header is kept, so the URLs Lightbox writes in
 * its answers lead back through the proxy).
 */
export async function startOhifSite(lightboxUrl: string, authorization: string): Promise<OhifSite> {
  const upstream = new URL(lightboxUrl);
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/dicomweb') || url.startsWith('/wado')) {
      const forwarded = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: url,
          method: req.method,
          headers: { ...req.headers, authorization },
        },
        (answer) => {
          requests.push({
            method: req.method ?? '',
            url,
            accept: req.headers.accept ?? '',
            status: answer.statusCode ?? 0,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forwarded.on('error', () => res.writeHead(502).end());
      req.pipe(forwarded);
      return;
    }
    void (async () => {
      const pathname = decodeURIComponent(new URL(url, 'http://ohif').pathname);
      if (pathname === '/app-config.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(APP_CONFIG);
        return;
      }
      let file = path.join(OHIF_DIST, path.normalize(pathname));
      if (!file.startsWith(OHIF_DIST) || !(await stat(file).catch(() => undefined))?.isFile())
        file = path.join(OHIF_DIST, 'index.html'); // the app's own routes (/viewer, …)
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(await readFile(file));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
