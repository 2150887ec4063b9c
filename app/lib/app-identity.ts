/** The brand blue of the icon: the installed app's title bar and the browser's toolbar. */
export const THEME_COLOUR = "#1b6fc4";
