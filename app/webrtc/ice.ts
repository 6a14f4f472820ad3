/** ICE helpers shared by the WHEP endpoint and the WHIP client. */

/**
 * Resolves once the connection has gathered its candidates (or after `timeoutMs`), so the SDP we
 * send carries them and peers that do not trickle can still connect.
 */
export const waitForCandidates = (pc: RTCPeerConnection, timeoutMs = 2000): Promise<void> =>
  new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
