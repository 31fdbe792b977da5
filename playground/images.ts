/**
 * The playground's image pickers: the shared photos the server lists (/images/) as thumbnails,
 * a file input, and dropping a file on the thumbnails. Images are decoded by the browser
 * (createImageBitmap) into the RGBA the library takes.
 */
import type { RgbaImage } from '../src/api/index.js';

/** Decodes an image file or fetched blob to RGBA through a canvas. */
export async function decodeToRgba(blob: Blob): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

export interface ImagePicker {
  /** The chosen image, decoded; null until one is chosen. */
  current(): Promise<RgbaImage | null>;
}

/**
 * Fills `thumbs` with the listed photos and wires `fileInput` and drops on `thumbs`; the photo
 * named `initial` starts chosen. `thumbs.dataset.chosen` names the choice (tests read it).
 */
export function imagePicker(thumbs: HTMLElement, fileInput: HTMLInputElement, photos: string[], initial: string): ImagePicker {
  let chosen: { name: string; blob: () => Promise<Blob> } | null = null;
  let decoded: { name: string; image: Promise<RgbaImage> } | null = null;

  const choose = (name: string, blob: () => Promise<Blob>, thumb: HTMLImageElement) => {
    chosen = { name, blob };
    thumbs.dataset.chosen = name;
    for (const img of thumbs.querySelectorAll('img')) img.classList.toggle('chosen', img === thumb);
  };
  const addThumb = (name: string, src: string, blob: () => Promise<Blob>): HTMLImageElement => {
    const img = document.createElement('img');
    img.src = src;
    img.alt = img.title = name;
    img.addEventListener('click', () => choose(name, blob, img));
    thumbs.append(img);
    return img;
  };
  const addFile = (file: File) => {
    const thumb = addThumb(file.name, URL.createObjectURL(file), async () => file);
    choose(file.name, async () => file, thumb);
  };

  for (const name of photos) {
    const url = `images/${encodeURIComponent(name)}`;
    const thumb = addThumb(name, url, async () => (await fetch(url)).blob());
    if (name === initial) choose(name, async () => (await fetch(url)).blob(), thumb);
  }
  fileInput.addEventListener('change', () => {
    if (fileInput.files?.[0]) addFile(fileInput.files[0]);
  });
  thumbs.addEventListener('dragover', (e) => {
    e.preventDefault();
    thumbs.classList.add('drop');
  });
  thumbs.addEventListener('dragleave', () => thumbs.classList.remove('drop'));
  thumbs.addEventListener('drop', (e) => {
    e.preventDefault();
    thumbs.classList.remove('drop');
    const file = [...(e.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (file) addFile(file);
  });

  return {
    current() {
      if (!chosen) return Promise.resolve(null);
      if (decoded?.name !== chosen.name) {
        const { name, blob } = chosen;
        decoded = { name, image: blob().then(decodeToRgba) };
      }
      return decoded.image;
    },
  };
}
