package web

import "github.com/gin-gonic/gin"

// secretariatRoutes lists the secretariat pages.
func (s *Server) secretariatRoutes(r *gin.Engine) {
	_ = r
}
