"""/broadcast, /broadcasts, /cancel, /approve: organizers reach subscribers; admins their group.

Campaign-wide broadcasts (to a topic's subscribers) come only from the ORGANIZERS list. A
group's admins (Telegram) or a server's Manage Server holders (Discord) may broadcast only to
their own group or server ("here"). Nothing is sent before an explicit Confirm, and a large
campaign-wide broadcast also needs a second organizer's approval.

`compose` drafts and previews; `send` confirms; `approve` is the second organizer's yes;
`cancel` stops; `status` lists. `access` says who may do what, `audiences` who can be reached,
`texts` how a broadcast's progress reads.
"""
