import {
  AngleTool,
  ArrowAnnotateTool,
  CobbAngleTool,
  Enums as ToolEnums,
  EllipticalROITool,
  LengthTool,
  PanTool,
  PlanarFreehandROITool,
  PlanarRotateTool,
  ProbeTool,
  RectangleROITool,
  ReferenceLinesTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { CalibrationLineTool } from './calibration-line-tool';

const { MouseBindings } = ToolEnums;

/** Every tool of the stack viewports, registered once when Cornerstone starts (cornerstone.ts). */
export const STACK_TOOL_CLASSES = [
  WindowLevelTool,
  PanTool,
  ZoomTool,
  StackScrollTool,
  PlanarRotateTool,
  LengthTool,
  AngleTool,
  CobbAngleTool,
  RectangleROITool,
  EllipticalROITool,
  PlanarFreehandROITool,
  ProbeTool,
  ArrowAnnotateTool,
  CalibrationLineTool,
  ReferenceLinesTool,
];

/** The tools a user can put on the left mouse button (or one finger), in toolbar order. */
export const PRIMARY_TOOLS = [
  { name: WindowLevelTool.toolName, label: 'W/L', key: 'w' },
  { name: PanTool.toolName, label: 'Pan', key: 'p' },
  { name: ZoomTool.toolName, label: 'Zoom', key: 'z' },
  { name: StackScrollTool.toolName, label: 'Scroll', key: 's' },
  { name: PlanarRotateTool.toolName, label: 'Rotate', key: '' },
  { name: LengthTool.toolName, label: 'Length', key: 'l' },
  { name: AngleTool.toolName, label: 'Angle', key: 'a' },
  { name: CobbAngleTool.toolName, label: 'Cobb', key: 'c' },
  { name: RectangleROITool.toolName, label: 'Rectangle', key: 'r' },
  { name: EllipticalROITool.toolName, label: 'Ellipse', key: 'e' },
  { name: PlanarFreehandROITool.toolName, label: 'Freehand', key: 'f' },
  { name: ProbeTool.toolName, label: 'Probe', key: 'b' },
  { name: ArrowAnnotateTool.toolName, label: 'Arrow', key: 't' },
  { name: CalibrationLineTool.toolName, label: 'Calibrate', key: '' },
] as const;

/** The tools that draw measurements or annotations (kept visible and editable when not selected). */
export const ANNOTATION_TOOLS: string[] = [
  LengthTool.toolName,
  AngleTool.toolName,
  CobbAngleTool.toolName,
  RectangleROITool.toolName,
  EllipticalROITool.toolName,
  PlanarFreehandROITool.toolName,
  ProbeTool.toolName,
  ArrowAnnotateTool.toolName,
];

/** Whether the main pointer is a finger (tablets): one-finger swipes then scroll the stack. */
export function touchScreen(): boolean {
  return window.matchMedia('(pointer: coarse)').matches;
}

/** The tool group of the stack viewports. */
export const STACK_TOOL_GROUP_ID = 'lightbox-stack';

/**
 * The stack viewports' tool group: the chosen tool on the left button, pan on the middle, zoom on the
 * right, the wheel scrolls.
 */
export function stackToolGroup(): ToolTypes.IToolGroup {
  const existing = ToolGroupManager.getToolGroup(STACK_TOOL_GROUP_ID);
  if (existing !== undefined) return existing;
  const group = ToolGroupManager.createToolGroup(STACK_TOOL_GROUP_ID)!;
  for (const { name } of PRIMARY_TOOLS) group.addTool(name);
  // Two fingers: pinch to zoom, move together to pan.
  group.setToolConfiguration(ZoomTool.toolName, { pinchToZoom: true, pan: true });
  // On a touch screen one finger swipes through the stack; with a mouse the left button sets the window.
  const primary = touchScreen() ? StackScrollTool.toolName : WindowLevelTool.toolName;
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, {
    bindings: [{ mouseButton: MouseBindings.Secondary }, { numTouchPoints: 2 }],
  });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  selectPrimaryTool(group, primary);
  for (const name of ANNOTATION_TOOLS) group.setToolPassive(name);
  // Where the active viewport's slice cuts the others (same frame of reference).
  group.addTool(ReferenceLinesTool.toolName);
  return group;
}

/** Draws the active viewport's slice as a line on the other viewports. */
export function showReferenceLinesOf(group: ToolTypes.IToolGroup, viewportId: string): void {
  group.setToolConfiguration(ReferenceLinesTool.toolName, { sourceViewportId: viewportId });
  group.setToolEnabled(ReferenceLinesTool.toolName);
}

/** Puts a tool on the left button (and one finger), leaving the other buttons as they are. */
export function selectPrimaryTool(group: ToolTypes.IToolGroup, toolName: string): void {
  const current = group.getActivePrimaryMouseButtonTool();
  if (current === toolName) return;
  if (current !== undefined) {
    // Pan, zoom and scroll keep their other bindings; measurement tools stay drawn and editable.
    if (current === PanTool.toolName)
      group.setToolActive(current, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
    else if (current === ZoomTool.toolName)
      group.setToolActive(current, {
        bindings: [{ mouseButton: MouseBindings.Secondary }, { numTouchPoints: 2 }],
      });
    else if (current === StackScrollTool.toolName)
      group.setToolActive(current, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
    else group.setToolPassive(current);
  }
  const extra =
    toolName === PanTool.toolName
      ? [{ mouseButton: MouseBindings.Auxiliary }]
      : toolName === ZoomTool.toolName
        ? [{ mouseButton: MouseBindings.Secondary }, { numTouchPoints: 2 }]
        : toolName === StackScrollTool.toolName
          ? [{ mouseButton: MouseBindings.Wheel }]
          : [];
  group.setToolActive(toolName, { bindings: [{ mouseButton: MouseBindings.Primary }, ...extra] });
}
