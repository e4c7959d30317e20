// Warning signs on the phone, from the rule VALUES the server ships (/api/field/session/ → rules): the same versions,
// the same dates of validity, the same comparisons and texts as cases/rules.py:warning_signs. No threshold lives here;
// tests/fieldapp/test_rule_parity.py runs this module in Chromium against the server on every boundary of every version.

// The version in force on `day` ("YYYY-MM-DD"): the latest that started on or before it and has not ended.
export function ruleFor(versions, day) {
  let found = null;
  for (const v of versions) {
    if (v.valid_from <= day && (!v.valid_until || v.valid_until >= day)) {
      if (!found || v.valid_from > found.valid_from) found = v;
    }
  }
  return found;
}

// Age on a day, as people/rules.py:age_on.
export function ageOn(dateOfBirth, birthYear, day) {
  const [y, m, d] = day.split("-").map(Number);
  if (dateOfBirth) {
    const [by, bm, bd] = dateOfBirth.split("-").map(Number);
    return y - by - ((m < bm || (m === bm && d < bd)) ? 1 : 0);
  }
  if (birthYear) return y - birthYear;
  return null;
}

function val(rule, key) {
  const v = rule.values[key];
  return v === undefined ? null : v;
}

function rrThreshold(rule, age) {
  if (age === null || age >= 12) return [val(rule, "rr_adult_min"), "người lớn / adult"];
  if (age >= 5) return [val(rule, "rr_5_12_min"), "5–<12"];
  if (age >= 1) return [val(rule, "rr_1_5_min"), "1–<5"];
  return [val(rule, "rr_under_1_min"), "<1"];
}

const has = (x) => x !== null && x !== undefined && x !== "";

// values: {respiratory_rate, spo2, pulse, systolic, diastolic} as numbers (or null); symptoms: codes;
// labels: {code: {vi, en}}. Returns [{code, message_vi, message_en}] in the server's order.
export function warningSigns(rule, { age, values, symptoms }, labels) {
  const signs = [];
  const add = (code, vi, en) => signs.push({ code, message_vi: vi, message_en: en });
  const rr = values.respiratory_rate;
  if (has(rr)) {
    const [limit, band] = rrThreshold(rule, age);
    if (limit !== null && rr >= limit) add("respiratory_rate", `Nhịp thở ${rr} lần/phút ≥ ${limit} (${band})`, `Respiratory rate ${rr}/min ≥ ${limit} (${band})`);
  }
  const spo2 = values.spo2, spo2Max = val(rule, "spo2_max");
  if (has(spo2) && spo2Max !== null && spo2 <= spo2Max) add("spo2", `SpO2 ${spo2}% ≤ ${spo2Max}%`, `SpO2 ${spo2}% ≤ ${spo2Max}%`);
  const pulse = values.pulse;
  if (has(pulse)) {
    const hi = val(rule, "pulse_high_above"), lo = val(rule, "pulse_low_below");
    if (hi !== null && pulse > hi) add("pulse_high", `Mạch nhanh ${pulse} > ${hi} lần/phút`, `Pulse ${pulse} > ${hi}/min`);
    if (lo !== null && pulse < lo) add("pulse_low", `Mạch chậm ${pulse} < ${lo} lần/phút`, `Pulse ${pulse} < ${lo}/min`);
  }
  const sys = values.systolic, dia = values.diastolic;
  const sysBelow = val(rule, "systolic_below"), diaBelow = val(rule, "diastolic_below");
  if (has(sys) && sysBelow !== null && sys < sysBelow) add("systolic_low", `Huyết áp tối đa ${sys} < ${sysBelow} mmHg`, `Systolic ${sys} < ${sysBelow} mmHg`);
  if (has(dia) && diaBelow !== null && dia < diaBelow) add("diastolic_low", `Huyết áp tối thiểu ${dia} < ${diaBelow} mmHg`, `Diastolic ${dia} < ${diaBelow} mmHg`);
  const warning = new Set(val(rule, "symptoms") || []);
  const own = ownSymptoms(rule);
  for (const s of [...new Set(symptoms || [])]) {
    if (!warning.has(s)) continue;
    if (own[s]) add(`symptom:${s}`, own[s].vi, own[s].en);
    else add(`symptom:${s}`, (labels[s] && labels[s].vi) || s, s.replaceAll("_", " "));
  }
  return signs;
}

// A disease's own warning signs as its rule labels them ({code: {vi, en}}), as cases/rules.py:own_symptoms; empty for
// a rule that uses the general symptom list (COVID-19).
export function ownSymptoms(rule) {
  const out = {};
  for (const e of (rule && val(rule, "symptom_labels")) || []) {
    if (e && typeof e === "object" && e.code) out[String(e.code)] = { vi: String(e.vi || e.code), en: String(e.en || e.code) };
  }
  return out;
}

// The measures the rule judges, as cases/rules.py:used_measures (temperature always; everything without a rule).
const MEASURE_KEYS = {
  respiratory_rate: ["rr_adult_min", "rr_5_12_min", "rr_1_5_min", "rr_under_1_min"], spo2: ["spo2_max"],
  pulse: ["pulse_high_above", "pulse_low_below"], temperature: [], systolic: ["systolic_below"], diastolic: ["diastolic_below"],
};
export function usedMeasures(rule) {
  const all = Object.keys(MEASURE_KEYS);
  if (!rule) return all;
  return all.filter((m) => !MEASURE_KEYS[m].length || MEASURE_KEYS[m].some((k) => val(rule, k) !== null));
}

// Whole-number measures as the server cleans them (cases.services._clean_measures): "95" → 95, "37,5" → 37.5.
export function cleanMeasures(raw) {
  const out = {};
  for (const key of ["respiratory_rate", "spo2", "pulse", "temperature", "systolic", "diastolic"]) {
    const v = raw[key];
    if (v === null || v === undefined || String(v).trim() === "") { out[key] = null; continue; }
    const n = Number(String(v).replace(",", "."));
    out[key] = Number.isFinite(n) ? (key === "temperature" ? Math.round(n * 10) / 10 : Math.round(n)) : null;
  }
  return out;
}
