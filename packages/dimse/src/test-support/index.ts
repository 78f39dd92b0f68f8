export { connectScu } from './connect-scu.js';
