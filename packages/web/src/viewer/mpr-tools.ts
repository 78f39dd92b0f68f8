import {
  CrosshairsTool,
  Enums as ToolEnums,
  PanTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  addTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';

const { MouseBindings } = ToolEnums;

/** The tool group of the MPR viewports. */
export const MPR_TOOL_GROUP_ID = 'lightbox-mpr';

/** Tools for the left button in MPR. */
export const MPR_PRIMARY_TOOLS = [
  { name: CrosshairsTool.toolName, label: 'Crosshairs' },
  { name: WindowLevelTool.toolName, label: 'W/L' },
  { name: PanTool.toolName, label: 'Pan' },
  { name: ZoomTool.toolName, label: 'Zoom' },
] as const;

let added = false;

/**
 * The MPR tool group: crosshairs on the left button (drag the centre to move every plane, the lines' ends to
 * rotate them into oblique planes, the slab handles for thickness), pan on the middle, zoom on the right,
 * the wheel steps through planes.
 */
export function mprToolGroup(): ToolTypes.IToolGroup {
  if (!added) {
    addTool(CrosshairsTool);
    added = true;
  }
  const existing = ToolGroupManager.getToolGroup(MPR_TOOL_GROUP_ID);
  if (existing !== undefined) return existing;
  const group = ToolGroupManager.createToolGroup(MPR_TOOL_GROUP_ID)!;
  group.addTool(WindowLevelTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.addTool(StackScrollTool.toolName);
  group.addTool(CrosshairsTool.toolName);
  group.setToolActive(CrosshairsTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  return group;
}

/** Puts a tool on the left button of the MPR viewports. */
export function selectMprPrimaryTool(group: ToolTypes.IToolGroup, toolName: string): void {
  const current = group.getActivePrimaryMouseButtonTool();
  if (current === toolName) return;
  if (current === PanTool.toolName)
    group.setToolActive(current, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  else if (current === ZoomTool.toolName)
    group.setToolActive(current, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  else if (current !== undefined) group.setToolPassive(current);
  const extra =
    toolName === PanTool.toolName
      ? [{ mouseButton: MouseBindings.Auxiliary }]
      : toolName === ZoomTool.toolName
        ? [{ mouseButton: MouseBindings.Secondary }]
        : [];
  group.setToolActive(toolName, { bindings: [{ mouseButton: MouseBindings.Primary }, ...extra] });
}
