/**
 * A member as administrators' tables name them: `@handle`, or "a deleted member" for an account
 * deleted since (its row stays for the records that point at it, without a handle).
 *
 * @example
 * <MemberHandle handle={report.reporter} deleted={report.reporter === null} />
 */
import { useWords } from "../i18n/words_context.ts";

export function MemberHandle(props: { handle: string | null; deleted: boolean }) {
  const { t } = useWords();
  if (props.deleted || props.handle === null) {
    return <span class="deleted-member">{t("member.deleted")}</span>;
  }
  return <>@{props.handle}</>;
}
