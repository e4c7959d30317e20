// The server's words in the app's language: refusals and conflicts come with message_vi and message_en (core/api.py's
// one error shape); the phone shows the one of the page's language, the other when that one is missing (an answer
// kept on the phone by an older release had only Vietnamese).
export const said = (answer, lang) => {
  if (!answer) return "";
  const [first, second] = String(lang || "").toLowerCase().startsWith("en")
    ? [answer.message_en, answer.message_vi] : [answer.message_vi, answer.message_en];
  return first || second || "";
};
