"""Presenter mode's figure settings: the projector's type, and room for a legend over the plot."""
import numpy as np

from ui import cost_figures as cf
from ui.presenter import FIGURE_FONT, FIT_HEIGHT, present


def _densities():
    x = np.linspace(-2, 7, 50)
    runs = [cf.Series("A: saturating", x, np.exp(-x ** 2), "#d62728"),
            cf.Series("B: non-saturating", x, np.exp(-x ** 2), "#1f77b4", "dash")]
    return cf.densities_figure(x, np.exp(-(x - 4) ** 2), runs, "N(2, 0.5²) shifted by 2")


def test_a_legend_over_the_plot_gets_two_lines_of_room_under_the_title_on_the_projector():
    fig = _densities()
    own = fig.layout.margin.t
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y >= 1     # over the plot
    present(fig, True)
    assert fig.layout.font.size == fig.layout.legend.font.size == FIGURE_FONT
    assert fig.layout.margin.t == own + 2 * FIGURE_FONT
    assert (fig.layout.title.yref, fig.layout.title.y, fig.layout.title.yanchor) == ("container", 1.0, "top")
    present(fig, True)                              # a page draws the same figure again: no more room
    assert fig.layout.margin.t == own + 2 * FIGURE_FONT
    present(fig, False)                             # off the projector: the figure's own margin
    assert fig.layout.margin.t == own and fig.layout.font.size is None


def test_a_legend_under_the_plot_keeps_its_margin():
    fig = cf.analytic_figure(np.linspace(0.01, 0.99, 20), [], [], [], [])
    before = fig.layout.margin.t
    assert not (fig.layout.legend.orientation == "h" and (fig.layout.legend.y or 0) >= 1)
    present(fig, True)
    assert fig.layout.margin.t == before


def test_a_live_figure_presented_again_in_the_same_mode_is_left_as_it_is():
    """Pages present the same figure at every redraw: the sizes are set on the first call and on a change
    of mode."""
    fig = _densities()
    present(fig, False)
    fig.layout.font.size = 7                        # not the presenter's doing: a second call leaves it
    present(fig, False)
    assert fig.layout.font.size == 7
    present(fig, True, fit=True)                    # a change of mode (or of fit) sets every size again
    assert fig.layout.font.size == fig.layout.xaxis.tickfont.size == FIGURE_FONT
    assert fig.layout.height == FIT_HEIGHT
    present(fig, False)
    assert fig.layout.font.size is None and fig.layout.xaxis.tickfont.size is None
