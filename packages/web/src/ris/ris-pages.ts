// The RIS screens, one chunk loaded when the first of them is opened (app.tsx): the study list and the
// small pages load without them.
export { ExceptionsPage } from './exceptions-page';
export { Hl7Page } from './hl7-page';
export { OrdersPage } from './orders-page';
export { SchedulePage } from './schedule-page';
export { WorklistPage } from './worklist-page';
