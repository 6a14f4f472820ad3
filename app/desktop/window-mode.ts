/**
 * Can this desktop show the character as a transparent, click-through, always-on-top window? Where it
 * cannot, the app opens an opaque compact window instead (framed, in the taskbar, closable like any
 * other) and says why: never a window the user cannot click away.
 */

export type CharacterWindowMode = { transparent: true } | { transparent: false; reason: string };

export interface ModeInputs {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Electron's command line (`--ozone-platform=x11` keeps Linux on X11/XWayland). */
  argv: readonly string[];
  /** The user's own choice from the tray ("Opaque window"), remembered in the settings. */
  preferOpaque?: boolean;
}

const onWayland = ({ env, argv }: ModeInputs): boolean => {
  const forced = argv.find((a) => a.startsWith('--ozone-platform='))?.split('=')[1] ?? env.ELECTRON_OZONE_PLATFORM_HINT;
  if (forced === 'x11') return false;
  if (forced === 'wayland') return true;
  return env.XDG_SESSION_TYPE === 'wayland' || (!!env.WAYLAND_DISPLAY && !env.DISPLAY);
};

export const chooseWindowMode = (inputs: ModeInputs): CharacterWindowMode => {
  if (inputs.preferOpaque) return { transparent: false, reason: 'opaque window chosen in the tray menu' };
  if (inputs.env.PERSONA_DESKTOP_OPAQUE === '1') return { transparent: false, reason: 'opaque window asked for (PERSONA_DESKTOP_OPAQUE=1)' };
  if (inputs.platform === 'linux') {
    if (onWayland(inputs)) {
      // Wayland gives apps neither the cursor's position outside their windows nor a way to place them.
      return { transparent: false, reason: 'Wayland cannot place or click through windows: start with --ozone-platform=x11 for the transparent character' };
    }
    if (!inputs.env.DISPLAY) return { transparent: false, reason: 'no X display (DISPLAY is not set)' };
  }
  return { transparent: true };
};
