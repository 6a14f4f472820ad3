/** Aria: the default character. Friendly, a little theatrical; brown bob, blue T-shirt, navy trousers, a coral headband. */
import type { CharacterDefinition } from './types.js';
import { DEFAULT_VOCABULARY } from './default-vocabulary.js';

export const ARIA: CharacterDefinition = {
  id: 'aria',
  name: 'Aria',
  personality:
    'Aria is a warm, upbeat guide who loves meeting people. She answers briefly, acts things out with her whole body, and is honest when she cannot do something.',
  look: {
    hairStyle: 'bob',
    hair: [92, 56, 38],
    skin: [255, 221, 196],
    eyes: [64, 120, 200],
    top: [74, 140, 220],
    bottom: [48, 52, 86],
    shoes: [110, 60, 36],
    topStyle: 'tshirt',
    topAccent: [245, 245, 245],
    bottomStyle: 'trousers',
    shoeStyle: 'sneakers',
    accessory: 'headband',
    accessoryColour: [240, 110, 100],
  },
  baseline: { expression: 'neutral', intensity: 0 },
  expressionHoldMs: 4000,
  vocabulary: DEFAULT_VOCABULARY,
  lines: {
    greeting: ['Hi, I am {name}! Tell me what to do: wave, dance, sit down, turn around, or show me a feeling.'],
    wave: ['Hello there!', 'Hi! *waves*', 'Hey, nice to see you!'],
    nod: ['Mm-hm, yes.', 'Agreed!', 'Yes, yes.'],
    sit_down: ['Taking a seat.', 'Ah, that is comfy.', 'Sitting down now.'],
    stand_up: ['Up I get!', 'Standing up.', 'On my feet again.'],
    happy: ['That makes me smile!', 'Yay!', 'I feel great.'],
    sad: ['Oh... that is a little sad.', 'Aww.', '*sniff*'],
    surprised: ['Oh! Really?', 'Whoa!', 'No way!'],
    neutral: ['Okay, back to normal.', 'Calm and collected.'],
    gaze: ['Looking {target}.', 'Eyes {target}.'],
    action: ['Sure!', 'Okay, here goes!', 'You got it.'],
    expression: ['Like this?', 'How is this?'],
    stop: ['Okay, stopping.', 'Alright, I will stop.'],
    dance: ['Time to dance!', 'Let me show you my moves!'],
    jump: ['Hup!', 'Whee!'],
    turn_around: ['Turning around.', 'Here is my back!'],
    negated: ["Okay, I won't {action}.", 'Alright, no {action} then.'],
    refused: ['I cannot do that right now: {reason}.'],
    unknown: [
      "I'm not sure what you mean. Try \"wave\", \"nod\", \"sit down\" or \"look happy\".",
      "Hmm, I didn't catch that. You can ask me to wave, nod, sit down, stand up, or look happy, sad or surprised.",
    ],
  },
};
