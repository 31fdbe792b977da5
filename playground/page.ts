/** The playground page: wires the controls to the library and shows what it does. */
import { probeBrowserGl } from '../src/engine/browser-gl.js';
import { checkDevice } from './device-check.js';
import { setUpStylizePanel } from './stylize-panel.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showNotice(text: string, kind: 'warn' | 'error'): void {
  const notice = $('notice');
  notice.textContent = text;
  notice.className = `notice ${kind}`;
}

const gl = probeBrowserGl();
const device = $('device');
if (gl.backend && gl.info) {
  device.textContent = `kernels run on ${gl.backend}: ${gl.info.version}, ${gl.info.renderer}`;
  device.dataset.backend = gl.backend;
  if (gl.problems.length > 0) showNotice(`${gl.problems.join('; ')}. Running on WebGL 1 instead, which is slower.`, 'warn');
  setUpStylizePanel(gl.backend).catch((e: unknown) => showNotice(`the stylise panel could not start: ${e instanceof Error ? e.message : String(e)}`, 'error'));
} else {
  device.textContent = 'no usable WebGL here';
  showNotice(`${gl.problems.join('; ')}. The kernels need WebGL 2 (or WebGL 1 with float textures): nothing can run in this browser.`, 'error');
  for (const id of ['start', 'check-device']) $<HTMLButtonElement>(id).disabled = true;
}

const checkButton = $<HTMLButtonElement>('check-device');
checkButton.addEventListener('click', async () => {
  if (!gl.backend) return;
  checkButton.disabled = true;
  try {
    await checkDevice(gl.backend, $<HTMLTableElement>('check-table'), $('check-summary'));
  } finally {
    checkButton.disabled = false;
  }
});
