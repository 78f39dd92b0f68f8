import {
  Enums as ToolEnums,
  PanTool,
  ToolGroupManager,
  TrackballRotateTool,
  ZoomTool,
  addTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';

const { MouseBindings } = ToolEnums;

/** The tool group of the 3D viewport. */
export const VOLUME_3D_TOOL_GROUP_ID = 'lightbox-3d';

let added = false;

/** 3D: left button rotates, middle pans, right zooms, pinch zooms. */
export function volume3dToolGroup(): ToolTypes.IToolGroup {
  if (!added) {
    addTool(TrackballRotateTool);
    added = true;
  }
  const existing = ToolGroupManager.getToolGroup(VOLUME_3D_TOOL_GROUP_ID);
  if (existing !== undefined) return existing;
  const group = ToolGroupManager.createToolGroup(VOLUME_3D_TOOL_GROUP_ID)!;
  group.addTool(TrackballRotateTool.toolName);
  group.addTool(PanTool.toolName);
  group.addTool(ZoomTool.toolName);
  group.setToolActive(TrackballRotateTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(ZoomTool.toolName, {
    bindings: [{ mouseButton: MouseBindings.Secondary }, { numTouchPoints: 2 }],
  });
  return group;
}
