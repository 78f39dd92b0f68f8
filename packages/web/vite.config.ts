import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The web app is built once (`npm run build`) and served by the Lightbox server at `/` (DESIGN §1).
export default defineConfig({
  plugins: [react()],
  base: '/',
  // vtk.js (under Cornerstone) pulls in xmlbuilder2, which extends Node's EventEmitter: give it the
  // browser port of `events` instead of Vite's empty stand-in.
  resolve: {
    alias: { events: 'events/' },
    // npm nests a copy of dcmjs (the same version) under each Cornerstone package that uses it: bundle one.
    dedupe: ['dcmjs'],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8192,
    // Cornerstone's tools are looked up by class name: minifying must keep names.
    rolldownOptions: { output: { keepNames: true } },
  },
  worker: { format: 'es', rolldownOptions: { output: { keepNames: true } } },
  // The image loader starts its decode workers from its own files; pre-bundling would break their URLs.
  optimizeDeps: { exclude: ['@cornerstonejs/dicom-image-loader'] },
});
