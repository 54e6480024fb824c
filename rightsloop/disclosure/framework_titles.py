"""Every displayed string of data/frameworks.json, in gettext_lazy calls so that makemessages finds them.

frameworks.py translates these strings when it displays them; the JSON alone is invisible to makemessages.
Keep this list in step with the data (a test compares them): one line per framework name, requirement title
and reason for not covering a requirement. Nothing imports it at run time."""

from django.utils.translation import gettext_lazy as _

TITLES = (
    # UNGPRF
    _("UN Guiding Principles Reporting Framework"),
    _("Public commitment to respect human rights"),
    _("Embedding respect for human rights"),
    _("Who carries day-to-day responsibility"),
    _("Human rights topics raised with senior management and the board"),
    _("Making employees and contract workers aware"),
    _("Expectations set in business relationships"),
    _("Lessons learned about embedding respect"),
    _("Statement of salient issues"),
    _("How the salient issues were determined"),
    _("Choice of focal geographies"),
    _("Other severe impacts in the period"),
    _("The report covers the salient issues and the grievances received; severe impacts outside "
      "them need the company's own account."),
    _("Policies specific to each salient issue"),
    _("Engagement with stakeholders on each salient issue"),
    _("Assessing impacts"),
    _("Acting on findings"),
    _("Tracking whether actions work"),
    _("Remedy and grievance channels"),
    # RDR
    _("Ranking Digital Rights Corporate Accountability Index"),
    _("Impact assessment: laws and government demands"),
    _("Impact assessment: enforcing the company's own rules"),
    _("Impact assessment: targeted advertising"),
    _("Impact assessment: algorithmic systems"),
    _("Impact assessment: zero-rating"),
    _("Concerns telecommunications operators' zero-rating programmes, which the product does not record."),
    _("Engaging stakeholders and being accountable to them"),
    _("Grievance and remedy mechanisms for users"),
    _("Appeals against content moderation"),
    _("Content moderation appeals are handled in the company's own products, not through this "
      "grievance mechanism."),
    # ESRS
    _("European Sustainability Reporting Standards"),
    _("Sustainability matters put before the governing bodies"),
    _("Process to identify and assess material impacts"),
    _("Stakeholders' interests and views"),
    _("Material impacts and how they relate to strategy"),
    _("Own workforce: policies"),
    _("Own workforce: engagement on impacts"),
    _("Own workforce: remediation and channels to raise concerns"),
    _("Own workforce: action on material impacts and its effectiveness"),
    _("Value chain workers: policies"),
    _("Value chain workers: engagement on impacts"),
    _("Value chain workers: remediation and channels to raise concerns"),
    _("Value chain workers: action on material impacts and its effectiveness"),
    _("Affected communities: policies"),
    _("Affected communities: engagement on impacts"),
    _("Affected communities: remediation and channels to raise concerns"),
    _("Affected communities: action on material impacts and its effectiveness"),
    _("Consumers and end-users: policies"),
    _("Consumers and end-users: engagement on impacts"),
    _("Consumers and end-users: remediation and channels to raise concerns"),
    _("Consumers and end-users: action on material impacts and its effectiveness"),
)
