/**
 * The translator views read while they render: routes provide the viewer's words around a
 * page or fragment (routes/http.tsx, the live hub), and a view rendered without them (a unit
 * test) speaks English.
 *
 * @example
 * String(<WordsContext.Provider value={wordsFor("fr")}><Hallway ... /></WordsContext.Provider>);
 * // inside a view:
 * const { t } = useWords();
 */
import { createContext, useContext } from "hono/jsx";
import { english, type Words } from "./translate.ts";

export const WordsContext = createContext<Words>(english);

/** The words of the page being rendered. */
export function useWords(): Words {
  return useContext(WordsContext);
}
