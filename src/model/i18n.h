/* i18n.h — the one way a user-visible string is marked for translation:
 * _("text") looks it up in the catalogue of the chosen language (GNU gettext,
 * domain "ipcplay"), N_("text") marks a string kept in a table so xgettext
 * finds it, and the table's user calls _() on it when it is shown. With no
 * language chosen (or English) gettext returns the text itself. */
#ifndef IPCPLAY_I18N_H
#define IPCPLAY_I18N_H

#include <libintl.h>

#define IPCPLAY_DOMAIN "ipcplay"
#define _(s) gettext(s)
#define N_(s) (s)
/* Plural forms: ngettext chooses by n (Chinese has one form). */
#define P_(one, many, n) ngettext(one, many, n)

#endif
