// SMS length rules (GSM 03.38): shared by the reply form's live counter and the server.

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** These take an escape character too: two septets each. */
const GSM7_EXTENDED = "^{}\\[~]|€\f";

const BASIC = new Set(GSM7_BASIC);
const EXTENDED = new Set(GSM7_EXTENDED);

export const MAX_SEGMENTS = 10;

export type SegmentCount = {
  encoding: "GSM-7" | "UCS-2";
  /** Length in the encoding's units: septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  segments: number;
  /** Units that fit in one part at the current size: 160/153 or 70/67. */
  perSegment: number;
  /** Units left before another part is needed. */
  remaining: number;
};

export function countSegments(text: string): SegmentCount {
  let septets = 0;
  for (const char of text) {
    if (BASIC.has(char)) septets += 1;
    else if (EXTENDED.has(char)) septets += 2;
    else return size("UCS-2", text.length, 70, 67);
  }
  return size("GSM-7", septets, 160, 153);
}

function size(encoding: SegmentCount["encoding"], units: number, single: number, multi: number): SegmentCount {
  const perSegment = units <= single ? single : multi;
  const segments = units === 0 ? 1 : Math.ceil(units / perSegment);
  return { encoding, units, segments, perSegment, remaining: segments * perSegment - units };
}
