// Draggable SVG point handles over an image (pointer and keyboard), in the image's own pixel coordinates.
import { useRef, useState } from 'preact/hooks';
import type { Point } from '../lib/api.js';

export interface HandleSet { [name: string]: Point }

export function Handles({ width, height, points, moved, kind, onMove }: {
  width: number; height: number; points: HandleSet; moved: Set<string>; kind: 'landmark' | 'target';
  onMove: (name: string, p: Point) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ name: string; p: Point } | null>(null);
  const r = Math.max(width, height) / 70;
  const toImage = (e: PointerEvent): Point => {
    const m = svg.current!.getScreenCTM()!.inverse();
    const pt = new DOMPoint(e.clientX, e.clientY).matrixTransform(m);
    return { x: Math.round(Math.max(0, Math.min(width, pt.x))), y: Math.round(Math.max(0, Math.min(height, pt.y))) };
  };
  const step = Math.max(1, Math.round(Math.max(width, height) / 100));
  return (
    <svg ref={svg} class={`overlay handles ${kind}`} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet">
      {Object.entries(points).map(([name, base]) => {
        const p = drag?.name === name ? drag.p : base;
        const label = `${kind === 'landmark' ? 'Garment point' : 'Body target'} ${name.replace(/_/g, ' ')}`;
        return (
          <g key={name} class={`handle${moved.has(name) ? ' moved' : ''}${drag?.name === name ? ' dragging' : ''}`} data-name={name} data-testid={`${kind}-${name}`}
            role="slider" tabIndex={0} aria-label={label} aria-valuetext={`x ${Math.round(p.x)}, y ${Math.round(p.y)}`}
            onPointerDown={(e) => { (e.currentTarget as Element).setPointerCapture(e.pointerId); setDrag({ name, p: toImage(e) }); e.preventDefault(); }}
            onPointerMove={(e) => drag?.name === name && setDrag({ name, p: toImage(e) })}
            onPointerUp={(e) => { if (drag?.name === name) { onMove(name, toImage(e)); setDrag(null); } }}
            onKeyDown={(e) => {
              const d: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
              const v = d[e.key];
              if (!v) return;
              e.preventDefault();
              onMove(name, { x: Math.round(base.x + v[0]), y: Math.round(base.y + v[1]) });
            }}>
            <circle cx={p.x} cy={p.y} r={r * 1.9} class="hit" />
            <circle cx={p.x} cy={p.y} r={r} class="dot" />
            <title>{label}</title>
          </g>
        );
      })}
    </svg>
  );
}
