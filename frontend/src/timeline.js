// The time slider, play / pause and speed. onTime(t) is called whenever the time changes.
import { clockText } from "./series.js";

const SPEEDS = [1, 2, 5, 10, 30, 60, 120, 300, 600];

export class Timeline {
  constructor({ slider, play, speed, clock }, t0, t1, epochUtc, onTime) {
    this.el = { slider, play, speed, clock };
    this.t0 = t0;
    this.t1 = t1;
    this.epoch = epochUtc ? Date.parse(epochUtc) : NaN;
    this.onTime = onTime;
    this.t = t0;
    this.playing = false;
    slider.min = String(t0);
    slider.max = String(t1);
    slider.value = String(t0);
    // a default speed that plays the whole run in about two minutes
    const want = (t1 - t0) / 120;
    const best = SPEEDS.reduce((a, b) => (Math.abs(Math.log(b / want)) < Math.abs(Math.log(a / want)) ? b : a));
    speed.innerHTML = SPEEDS.map((s) => `<option value="${s}"${s === best ? " selected" : ""}>${s}x</option>`).join("");
    slider.addEventListener("input", () => this.set(parseFloat(slider.value)));
    play.addEventListener("click", () => this.toggle());
    document.addEventListener("keydown", (e) => {
      if (e.code === "Space" && e.target.tagName !== "INPUT" && e.target.tagName !== "SELECT") {
        e.preventDefault();
        this.toggle();
      }
    });
    this.last = null;
    this.frame = this.frame.bind(this);
  }

  set(t) {
    this.t = Math.min(this.t1, Math.max(this.t0, t));
    if (parseFloat(this.el.slider.value) !== this.t) this.el.slider.value = String(this.t);
    let text = clockText(this.t - this.t0);
    if (Number.isFinite(this.epoch)) {
      text += `  ${new Date(this.epoch + this.t * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`;
    }
    this.el.clock.textContent = text;
    this.onTime(this.t);
    return this.t;
  }

  toggle() {
    this.playing = !this.playing;
    if (this.playing && this.t >= this.t1) this.set(this.t0);
    this.el.play.innerHTML = this.playing ? "&#10073;&#10073;" : "&#9654;";
    this.el.play.setAttribute("aria-pressed", String(this.playing));
    this.last = null;
    if (this.playing) requestAnimationFrame(this.frame);
  }

  frame(now) {
    if (!this.playing) return;
    if (this.last !== null) {
      const dt = Math.min(0.25, (now - this.last) / 1000);
      this.set(this.t + dt * parseFloat(this.el.speed.value));
      if (this.t >= this.t1) {
        this.toggle();
        return;
      }
    }
    this.last = now;
    requestAnimationFrame(this.frame);
  }
}
