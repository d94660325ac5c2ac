// Baseline of row 8: a bare node process doing nothing (its RSS is the floor of any Node sidecar).
setInterval(() => {}, 1 << 30);
