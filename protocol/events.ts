/** What the engine tells the conversation layer and the UI about a persona's actions. */
export type EngineEvent =
  | { type: 'action.started'; action: string; directiveId?: string; at: number }
  | { type: 'action.finished'; action: string; directiveId?: string; at: number; interrupted?: boolean }
  | { type: 'action.refused'; action: string; reason: string; directiveId?: string; at: number }
  | { type: 'expression.changed'; expression: string; intensity: number; at: number };

/** A short extract of a persona's state for the UI, published when it changes. */
export interface PersonaState {
  character: string;
  posture: string;
  /** Which way she faces: the camera, her left or right (profile), or away (back turned). */
  facing: 'camera' | 'left' | 'right' | 'away';
  action: string;
  expression: string;
  intensity: number;
  gaze: string;
  /** The behaviour chart's active states, one path per region ("activity.gesturing.keyframe"). */
  chart: string[];
  /** Actions waiting behind the running one. */
  queue: string[];
  tick: number;
}
