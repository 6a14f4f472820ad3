/** The one schedule file: every system, in its phase, in run order. */
import { Schedule } from '../engine/schedule.js';
import type { PersonaWorld } from './resources.js';
import { applyDirectives } from './input/apply-directives.js';
import { fireBehaviourTimers } from './behaviour/fire-behaviour-timers.js';
import { composePoseTarget } from './animation/compose-pose-target.js';
import { easePoseTowardTarget } from './animation/ease-pose.js';
import { blendExpressionTowardTarget } from './animation/blend-expression.js';
import { submitFrames } from './frame/submit-frames.js';
import { publishEvents } from './output/publish-events.js';
import { publishState } from './output/publish-state.js';

export const createPersonaSchedule = (): Schedule<PersonaWorld> =>
  new Schedule<PersonaWorld>()
    .add('input', 'apply-directives', applyDirectives)
    .add('behaviour', 'fire-behaviour-timers', fireBehaviourTimers)
    .add('animation', 'compose-pose-target', composePoseTarget)
    .add('animation', 'ease-pose', easePoseTowardTarget)
    .add('animation', 'blend-expression', blendExpressionTowardTarget)
    .add('frame', 'submit-frames', submitFrames)
    .add('output', 'publish-events', publishEvents)
    .add('output', 'publish-state', publishState);
