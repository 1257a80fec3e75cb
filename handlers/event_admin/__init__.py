"""/newevent, /editevent, /cancelevent: organizers (and a group's admins) manage events in chat.

Campaign organizers make campaign-wide events; a group's or server's admins make events for their
own chat only. Every change shows a preview first; the unconfirmed version is stored as a draft
(it expires) so that the Publish button needs to carry only its id.

`create`, `edit` and `cancel` hold the commands; `publish` the preview and its buttons; `draft`
builds and checks what was typed (read by `parse`); `access` says who may do what.
"""
